-- Foundation: federation settings, member registry, people, mandates, access, audit, jobs.
-- Times are TEXT in fixed-width UTC RFC 3339 ("2006-01-02T15:04:05.000000Z"), dates TEXT
-- "YYYY-MM-DD", so that text order is time order.

CREATE TABLE federation (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    name             TEXT NOT NULL,
    names            TEXT NOT NULL DEFAULT '{}',
    languages        TEXT NOT NULL DEFAULT 'en',
    default_language TEXT NOT NULL DEFAULT 'en',
    time_zone        TEXT NOT NULL DEFAULT 'UTC',
    founded_on       TEXT
);

CREATE TABLE organizations (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) > 0),
    name_lang    TEXT NOT NULL,
    names        TEXT NOT NULL DEFAULT '{}',
    abbreviation TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL CHECK (length(country) = 2),
    region       TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('applicant', 'member', 'suspended', 'former', 'rejected')),
    member_since TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX organizations_status ON organizations (status, country);
CREATE INDEX organizations_region ON organizations (region, country);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    disabled_at   TEXT,
    CONSTRAINT people_login_unique UNIQUE (login)
);

CREATE TABLE person_roles (
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'secretariat')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE org_status_changes (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL CHECK (to_status IN ('applicant', 'member', 'suspended', 'former', 'rejected')),
    effective_on TEXT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT REFERENCES people (id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX org_status_changes_org ON org_status_changes (org_id, effective_on, recorded_at);

CREATE TABLE mandates (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    role        TEXT NOT NULL CHECK (role IN ('org_admin', 'delegate', 'translator')),
    valid_from  TEXT NOT NULL,
    valid_until TEXT CHECK (valid_until IS NULL OR valid_until >= valid_from),
    reference   TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES people (id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT REFERENCES people (id)
);
CREATE INDEX mandates_person ON mandates (person_id);
CREATE INDEX mandates_org ON mandates (org_id, role);

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    role         TEXT NOT NULL CHECK (role IN ('org_admin', 'delegate', 'translator')),
    email        TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    valid_from   TEXT NOT NULL,
    valid_until  TEXT CHECK (valid_until IS NULL OR valid_until >= valid_from),
    reference    TEXT NOT NULL DEFAULT '',
    created_by   TEXT REFERENCES people (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    person_id    TEXT REFERENCES people (id),
    CONSTRAINT invitations_token_unique UNIQUE (token_hash)
);
CREATE INDEX invitations_org ON invitations (org_id, created_at);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    CONSTRAINT api_tokens_hash_unique UNIQUE (token_hash)
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- Append-only: no foreign keys, so the record outlives what it describes.
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    person_id   TEXT NOT NULL DEFAULT '',
    org_id      TEXT NOT NULL DEFAULT '',
    about_org_id TEXT NOT NULL DEFAULT '',
    mandate_id  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '{}',
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_org ON audit_events (org_id, at);
CREATE INDEX audit_events_about ON audit_events (about_org_id, at);
CREATE INDEX audit_events_person ON audit_events (person_id, at);
CREATE INDEX audit_events_target ON audit_events (target_id, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    locked_until TEXT,
    last_error   TEXT NOT NULL DEFAULT '',
    done_at      TEXT,
    failed_at    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND failed_at IS NULL;
