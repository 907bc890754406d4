-- Event templates: a group, the start and end messages, the kind, an optional question with
-- numbered answers, and the labels of the monitoring alerts that start one. Starting an
-- event from a template is one confirmation on the night.
CREATE TABLE event_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    group_id INTEGER NOT NULL REFERENCES groups (id),
    kind TEXT NOT NULL CHECK (kind = 'planned' OR kind = 'unplanned'),
    start_message TEXT NOT NULL CHECK (length(start_message) BETWEEN 1 AND 1600),
    end_message TEXT NOT NULL CHECK (length(end_message) BETWEEN 1 AND 1600),
    question TEXT CHECK (question IS NULL OR length(question) BETWEEN 1 AND 300),
    -- Minutes after a monitoring trigger when the event starts by itself if nobody has acted.
    auto_start_after INTEGER CHECK (auto_start_after IS NULL OR auto_start_after BETWEEN 1 AND 1440),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The question's answers, numbered from 1 in the order given.
CREATE TABLE event_template_answers (
    template_id INTEGER NOT NULL REFERENCES event_templates (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
    answer TEXT NOT NULL CHECK (length(answer) BETWEEN 1 AND 60),
    PRIMARY KEY (template_id, number)
) STRICT, WITHOUT ROWID;

-- The trigger rule: an alert whose labels include every one of these starts the template.
CREATE TABLE event_template_labels (
    template_id INTEGER NOT NULL REFERENCES event_templates (id) ON DELETE CASCADE,
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    value TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    PRIMARY KEY (template_id, label)
) STRICT, WITHOUT ROWID;
