-- Documents: immutable versions, translations with segments and provenance, glossary,
-- attachments, per-year numbering, and a full-text index (FTS5 here, tsvector on PostgreSQL).

CREATE TABLE documents (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('resolution', 'statement', 'circular_letter', 'greeting', 'call', 'report', 'statute')),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'circulating', 'adopted', 'published', 'withdrawn', 'superseded')),
    visibility         TEXT NOT NULL CHECK (visibility IN ('internal', 'public')),
    issuer_org_id      TEXT REFERENCES organizations (id),
    issuer_body        TEXT NOT NULL DEFAULT '',
    source_lang        TEXT NOT NULL,
    number             TEXT NOT NULL DEFAULT '',
    occasion           TEXT NOT NULL DEFAULT '',
    recipient          TEXT NOT NULL DEFAULT '',
    current_version_id TEXT NOT NULL DEFAULT '',
    created_by         TEXT REFERENCES people (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    published_at       TEXT
);
CREATE UNIQUE INDEX documents_number ON documents (kind, number) WHERE number <> '';
CREATE INDEX documents_status ON documents (status, visibility, published_at);
CREATE INDEX documents_updated ON documents (updated_at);

CREATE TABLE doc_counters (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE versions (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    number      INTEGER NOT NULL CHECK (number > 0),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    body_html   TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES people (id),
    created_at  TEXT NOT NULL,
    CONSTRAINT versions_number_unique UNIQUE (document_id, number)
);
CREATE INDEX versions_hash ON versions (hash);

CREATE TABLE translations (
    id                TEXT PRIMARY KEY,
    document_id       TEXT NOT NULL REFERENCES documents (id),
    version_id        TEXT NOT NULL REFERENCES versions (id),
    lang              TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    translator_id     TEXT REFERENCES people (id),
    translator_org_id TEXT REFERENCES organizations (id),
    engine            TEXT NOT NULL DEFAULT '',
    engine_version    TEXT NOT NULL DEFAULT '',
    override_reason   TEXT NOT NULL DEFAULT '',
    body_html         TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CONSTRAINT translations_version_lang_unique UNIQUE (version_id, lang)
);
CREATE INDEX translations_document ON translations (document_id, lang);

CREATE TABLE translation_segments (
    translation_id TEXT NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    segment_id     TEXT NOT NULL,
    idx            INTEGER NOT NULL,
    source         TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL CHECK (state IN ('untranslated', 'machine', 'translated', 'reviewed')),
    engine         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (translation_id, segment_id)
);

CREATE TABLE glossary_terms (
    id         TEXT PRIMARY KEY,
    concept    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT glossary_concept_unique UNIQUE (concept)
);

CREATE TABLE glossary_wordings (
    term_id  TEXT NOT NULL REFERENCES glossary_terms (id) ON DELETE CASCADE,
    lang     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('adopted', 'forbidden')),
    wording  TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (term_id, lang, kind, wording)
);

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created_by  TEXT REFERENCES people (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX attachments_document ON attachments (document_id);

-- One row per document and language: the source text or a translation. The FTS5 index
-- reads its text from search_entries (external content), so replacing an entry finds it by
-- the (doc_id, lang) key instead of scanning the index.
CREATE TABLE search_entries (
    id     INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    lang   TEXT NOT NULL,
    title  TEXT NOT NULL,
    body   TEXT NOT NULL,
    CONSTRAINT search_entries_key UNIQUE (doc_id, lang)
);
CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body, content = 'search_entries', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_entries_insert AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_index (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER search_entries_delete AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_index (search_index, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
