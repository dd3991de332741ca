"""Use cases, the tool catalogue and the ports the core needs from the outside world."""
