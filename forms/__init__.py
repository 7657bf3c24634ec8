"""Package data: forms shipped with Guanxi."""
