"""Tests of the GraphQL schema itself."""
