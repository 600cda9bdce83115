-- Schema version 20: whether each deployment was approved, in a column of its own.
--
-- The timeline's approval filter read it out of the deployments' attributes (JSON) for every
-- event it made: on a million-line deploy log that parse was a tenth of the timeline step.
-- `approved` is 1 when the `approvals` attribute counts at least one approval, 0 when the
-- attribute has any other text, NULL without it (`hindsight_model::approved`, which the
-- ingest writes it with). The deployments stored before are filled in here by the same rule:
-- a whole number, an optional `+` and whitespace around it allowed, in 1..4294967295.
ALTER TABLE deployments ADD COLUMN approved INTEGER;
UPDATE deployments SET approved = (
    SELECT digits GLOB '[0-9]*' AND NOT digits GLOB '*[^0-9]*'
           AND length(ltrim(digits, '0')) BETWEEN 1 AND 10
           AND CAST(digits AS INTEGER) <= 4294967295
    FROM (SELECT CASE WHEN substr(text, 1, 1) = '+' THEN substr(text, 2) ELSE text END AS digits
          FROM (SELECT trim(json_extract(deployments.attributes, '$.approvals'),
                            ' ' || char(9, 10, 11, 12, 13)) AS text))
)
WHERE json_extract(attributes, '$.approvals') IS NOT NULL;

-- The timeline's events of those deployments by the same rule: only text that is not a whole
-- number (`1.5`, `3 of 4`) reads differently from before.
UPDATE events SET approval = CASE d.approved WHEN 1 THEN 'approved' ELSE 'not approved' END
FROM deployments d
WHERE events.source = 'deployment' AND events.ref_id = d.id AND events.approval IS NOT NULL
  AND events.approval IS NOT CASE d.approved WHEN 1 THEN 'approved' ELSE 'not approved' END;
UPDATE timeline_generation SET n = n + 1;
