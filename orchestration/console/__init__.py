"""What the ``atp`` command (:mod:`orchestration.cli`) does besides parsing its options, one job
per module: ``common`` (a refused option in one line, the guarded reader), ``options`` (checking
an option against the input folder and the warehouse before anything runs), ``execute`` (running
a job in this process and saying how it ended), ``summary`` (what a run wrote and what the
warehouse holds), ``serve`` (Dagster's own processes: ``dagster dev``, the schedule and sensor
switches)."""
