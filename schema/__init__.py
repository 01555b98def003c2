"""The GraphQL API (strawberry): thin types, queries and mutations over service/ and projections/."""
