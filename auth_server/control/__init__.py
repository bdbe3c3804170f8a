"""The test-control plane's own logic, apart from HTTP: what a test may ask of the simulator (faults, ...)."""
