"""The storage conformance kit: the repository contract every storage backend passes (the
built-in ones, and a team's own), shipped as a pytest plugin (``pip install
todo-chatbot[kit]``). Run it on your backend with::

    pytest -p adapters.persistence.contract.plugin --pyargs adapters.persistence.contract

and a ``storage_url`` fixture (or ``--storage-url URL``) naming a database it may fill. See
docs/storage.md for what each port promises and how to write a backend.
"""
