"""The pure core of a scope: what a scope is, described once, with no Django import."""
