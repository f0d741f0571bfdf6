#!/bin/sh
# The cost of replaying one ticket's log of 10, 100 and 1,000 events
# (bench/replay.c), as a ratio against parsing the same log.yaml without
# replaying it, measured in the same run; and the replay's cost per event
# against the 10-event log's.
exec "$RT_BUILD/bench/replay" 10 100 1000
