"""Hostile inputs and faults (issue 7): each case gives a correct result or one clear error."""
