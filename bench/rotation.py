"""The offline-agent chat scenario's messages: 20 everyday requests of the chat corpus
(tests/data/chat-corpus.tsv), each sent as a new conversation. None deletes anything, so the
bench data set keeps its size; adds, completes and changes are what a user's turns do.
Tasks are named by number (the bench's users have none of the corpus's titles: a request
naming "the plumber" would find nothing, and a search for a task that does not exist,
with its fallback over every task for typos, is not what a turn usually costs)."""

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
    "what's the priority of task 2?",
    "complete task 4",
    "Hi! Would you mind marking task 2 as done? Thanks!",
    "move task 9 to saturday",
    "set task 2 to low priority",
    "delete all completed tasks",
    "compelte task 2",
    "add milk and eggs",
    "mark task 5 done, and move the dentist to friday",
    "reopen task 12",
)
