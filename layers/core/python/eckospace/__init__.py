"""EckoSpace API core library, shipped to every function as the `core` layer."""
