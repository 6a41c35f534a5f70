"""The CRM store on SQLAlchemy 2: SQLite by default, PostgreSQL (psycopg 3) in Azure."""
