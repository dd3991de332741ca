"""The offline-agent chat scenario's messages: 20 everyday requests of the chat corpus
(tests/data/chat-corpus.tsv), each sent as a new conversation. None deletes anything, so the
bench data set keeps its size; adds, completes and changes are what a user's turns do."""

OFFLINE_ROTATION = (
    "add buy milk",
    "remind me to call the bank tomorrow",
    "add go for a run tonight at 7pm",
    "add pay the phone bill on Dec 24",
    "what's on my list?",
    "what do I still have to do?",
    "anything overdue?",
    "what's due this week?",
    "show me my work tasks",
    "how many tasks do I have?",
    "when is the dentist appointment?",
    "complete task 4",
    "Hi! Would you mind marking task 2 as done? Thanks!",
    "move task 9 to saturday",
    "bump the plumber to high priority",
    "delete all completed tasks",
    "compelte task 2",
    "add milk and eggs",
    "mark task 5 done, and move the dentist to friday",
    "reopen task 12",
)
