"""The population register: its normalized tables and how a person's facts come out of them."""
