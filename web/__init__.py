"""The read-only web ledger: the 台账 on a desk screen, a projector or a phone (issue 17)."""
