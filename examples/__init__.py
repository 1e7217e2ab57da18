"""Small buggy clients of three bug classes, and the tests that catch them (README:
"Testing your own sync logic")."""
