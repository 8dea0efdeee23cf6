"""The outside contract: events and their envelope, field types, schemas, calendar and units."""
