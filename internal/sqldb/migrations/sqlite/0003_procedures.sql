-- Procedures: decisions counted over organizations. Responses keep their history (one
-- current row per organization); the procedure's revision orders live events.

CREATE TABLE procedures (
    id                  TEXT PRIMARY KEY,
    document_id         TEXT REFERENCES documents (id),
    question            TEXT NOT NULL,
    rule_kind           TEXT NOT NULL CHECK (rule_kind IN ('signatures', 'silence', 'consensus', 'majority')),
    rule                TEXT NOT NULL,
    electorate_kind     TEXT NOT NULL CHECK (electorate_kind IN ('members', 'region', 'list')),
    electorate_region   TEXT NOT NULL DEFAULT '',
    visibility          TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'hidden')),
    opens_at            TEXT NOT NULL,
    deadline            TEXT NOT NULL CHECK (deadline > opens_at),
    closed_at           TEXT,
    outcome             TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'adopted', 'not_adopted')),
    result              TEXT NOT NULL DEFAULT '{}',
    revision            INTEGER NOT NULL DEFAULT 0,
    created_by          TEXT REFERENCES people (id),
    created_at          TEXT NOT NULL
);
CREATE INDEX procedures_deadline ON procedures (deadline);
CREATE INDEX procedures_document ON procedures (document_id);

CREATE TABLE procedure_electorate (
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (procedure_id, org_id)
);

-- Append-only history of responses: a change sets current = 0 on the old row and adds a new
-- one. The partial unique index keeps one current response per organization.
CREATE TABLE responses (
    id           TEXT PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    person_id    TEXT NOT NULL REFERENCES people (id),
    mandate_id   TEXT NOT NULL REFERENCES mandates (id),
    answer       TEXT NOT NULL CHECK (answer IN ('sign', 'decline', 'approve', 'object', 'block', 'abstain', 'reject')),
    version_hash TEXT NOT NULL DEFAULT '',
    lang_shown   TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    current      INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
);
CREATE UNIQUE INDEX responses_current ON responses (procedure_id, org_id) WHERE current = 1;
CREATE INDEX responses_procedure ON responses (procedure_id, current, at);

CREATE TABLE procedure_reminders (
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    sent_at      TEXT NOT NULL,
    PRIMARY KEY (procedure_id, org_id, sent_at)
);
