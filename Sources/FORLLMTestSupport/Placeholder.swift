// Test support: loopback peers.
