"""The auditor's tools: hash-chain verification, exports, signed checkpoints, and the personal-data vault."""
