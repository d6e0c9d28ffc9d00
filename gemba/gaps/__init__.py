"""Say-vs-do gaps in the database: keeping them current as evidence arrives (the engine in
`domain.saydo` judges), triage decisions, and the evidence behind a gap."""
