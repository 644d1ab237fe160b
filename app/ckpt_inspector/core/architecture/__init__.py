"""Load the architecture a checkpoint is diffed against: the user's code, a .keras file, a
config, a SavedModel or a ``keras.applications`` model. Runs where TensorFlow may be imported
(the worker process or the CLI), never in the GUI process."""
