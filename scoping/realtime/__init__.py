"""Live updates of a project over WebSockets (Django Channels): the group a project's pages join and what is sent."""
