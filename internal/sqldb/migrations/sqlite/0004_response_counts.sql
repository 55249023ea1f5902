-- Response counts per procedure, answer and text version, kept in the same transaction as the
-- responses themselves (see InsertResponses). Counting the current responses at every commit
-- grew with the electorate: at 20,000 responses it was a fifth of a burst's CPU.
CREATE TABLE response_counts (
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    answer       TEXT NOT NULL,
    version_hash TEXT NOT NULL,
    n            INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (procedure_id, answer, version_hash)
);

INSERT INTO response_counts (procedure_id, answer, version_hash, n)
SELECT procedure_id, answer, version_hash, count(*) FROM responses WHERE current = 1
GROUP BY procedure_id, answer, version_hash;
