"""Storage backends, one package per technology, found by URL scheme (``registry``); the
conformance kit (``contract``)."""
