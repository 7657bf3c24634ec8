SELECT gx_team_member.team, gx_team_member.user_id
FROM gx_team_member ORDER BY gx_team_member.user_id;
-- parameters: ()

SELECT gx_team.name, gx_team.manager_id
FROM gx_team;
-- parameters: ()

SELECT gx_user.username, gx_user.id
FROM gx_user
WHERE gx_user.username IN (?, ?, ?);
-- parameters: ('rita', 'wei', 'mona')

SELECT deal.id, deal.created_at, deal.updated_at, deal.created_by, deal.owner, deal.version, deal.deleted_at, deal.name
FROM deal
WHERE deal.deleted_at IS NULL AND (deal.owner = ? OR deal.owner IN (?, ?, ?)) ORDER BY deal.id DESC
 LIMIT ? OFFSET ?;
-- parameters: (2, 1, 2, 4, 11, 0)

SELECT count(*) AS count_1
FROM deal
WHERE deal.deleted_at IS NULL AND (deal.owner = ? OR deal.owner IN (?, ?, ?));
-- parameters: (2, 1, 2, 4)
