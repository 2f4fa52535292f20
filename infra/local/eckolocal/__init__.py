"""The EckoSpace local stack: template.yaml served on loopback with an embedded AWS emulator."""
