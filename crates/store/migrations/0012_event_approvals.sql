-- Schema version 12: the merged timeline records whether a change or deployment was approved.
--
-- `approval` is `approved`, `not approved`, or NULL when the source records nothing:
-- deployments by their `approvals` attribute (a count), changes by an APPROVED review or an
-- approval attribute (ServiceNow's `approval`). Filled at the next rebuild of the timeline;
-- existing rows are filled here.
ALTER TABLE events ADD COLUMN approval TEXT;
CREATE INDEX events_approval_at ON events(approval, at);
UPDATE events SET approval = (
    SELECT CASE
        WHEN CAST(json_extract(d.attributes, '$.approvals') AS INTEGER) > 0 THEN 'approved'
        WHEN json_extract(d.attributes, '$.approvals') IS NOT NULL THEN 'not approved'
    END
    FROM deployments d WHERE d.id = events.ref_id)
WHERE source = 'deployment';
UPDATE events SET approval = (
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM json_each(c.reviews)
                     WHERE lower(json_extract(value, '$.state')) = 'approved')
          OR lower(json_extract(c.attributes, '$.approval')) = 'approved' THEN 'approved'
        WHEN json_array_length(c.reviews) > 0
          OR json_extract(c.attributes, '$.approval') IS NOT NULL THEN 'not approved'
    END
    FROM changes c WHERE c.id = events.ref_id)
WHERE source = 'change';
