"""The version of the attribution calculation recorded on every run.

Bump it whenever a change to the engine or to how journeys are built could change a run's numbers,
so that a past figure can be matched to the code that produced it.
"""

ENGINE_VERSION = "1.0.0"
