"""What tests share that is not a test: estates, stubs and the safety rails' cases.

Test modules import from here, never from one another, so a test file holds only tests.

- ``estate.py``, ``estate_more.py``: the sample estate, replayed through the scan path (UI tests,
  snapshots); ``hostile.py``: an account whose every name is hostile (untrusted text).
- ``helpers.py``: a session on moto, a one-call scan, botocore hooks, the CLI in-process, and
  driving the app (``wait_until``, the filter, the palette, the command bar, the screen's text).
- ``actions.py``: running action handlers against moto; ``rails/``: every handler's safety-rail
  cases, one module per action module.
- ``stubs.py``: listers driven with botocore's Stubber; ``metrics.py``: CloudWatch datapoints for
  the idle checks; ``prices.py``: bare rows priced, Price List answers; ``rows.py``: rows for the
  table's data engine; ``fake_kind.py``: a fake kind registered by tests.
"""
