SELECT lead.id, lead.created_at, lead.updated_at, lead.created_by, lead.owner, lead.version, lead.state, lead.deleted_at, lead.name, lead.company, lead.email, lead.phone, lead.source, lead.referrer, lead.industry, lead.value, lead.marketing_consent, lead.loss_reason, lead.campaign, lead.converted_on, lead.notes
FROM lead
WHERE lead.deleted_at IS NULL AND lead.owner = ? AND lead.source = ? AND ((lower(lead.name) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.company) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.email) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.phone) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.source) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.referrer) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.industry) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.loss_reason) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.notes) LIKE '%' || lower(?) || '%' ESCAPE '/') OR lead.campaign IN (SELECT campaign.id
FROM campaign
WHERE (lower(campaign.name) LIKE '%' || lower(?) || '%' ESCAPE '/') AND campaign.deleted_at IS NULL)) ORDER BY lead.value IS NULL, lead.value DESC, lead.id DESC
 LIMIT ? OFFSET ?;
-- parameters: (1, 'web', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 11, 0)

SELECT count(*) AS count_1
FROM lead
WHERE lead.deleted_at IS NULL AND lead.owner = ? AND lead.source = ? AND ((lower(lead.name) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.company) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.email) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.phone) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.source) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.referrer) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.industry) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.loss_reason) LIKE '%' || lower(?) || '%' ESCAPE '/') OR (lower(lead.notes) LIKE '%' || lower(?) || '%' ESCAPE '/') OR lead.campaign IN (SELECT campaign.id
FROM campaign
WHERE (lower(campaign.name) LIKE '%' || lower(?) || '%' ESCAPE '/') AND campaign.deleted_at IS NULL));
-- parameters: (1, 'web', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme')
