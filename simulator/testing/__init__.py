"""Testing helpers for users of mailsim: hypothesis strategies, assertions and a pytest plugin."""
