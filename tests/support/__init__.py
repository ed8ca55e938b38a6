"""What tests share that is not a test: estates, stubs and the safety rails' cases.

Test modules import from here, never from one another, so a test file holds only tests.
"""
