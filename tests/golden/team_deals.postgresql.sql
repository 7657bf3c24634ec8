SELECT gx_team_member.team, gx_team_member.user_id
FROM gx_team_member ORDER BY gx_team_member.user_id;
-- parameters: {}

SELECT gx_team.name, gx_team.manager_id
FROM gx_team;
-- parameters: {}

SELECT gx_user.username, gx_user.id
FROM gx_user
WHERE gx_user.username IN (%(username_1_1)s::VARCHAR, %(username_1_2)s::VARCHAR, %(username_1_3)s::VARCHAR);
-- parameters: {'username_1_1': 'rita', 'username_1_2': 'wei', 'username_1_3': 'mona'}

SELECT deal.id, deal.created_at, deal.updated_at, deal.created_by, deal.owner, deal.version, deal.deleted_at, deal.name
FROM deal
WHERE deal.deleted_at IS NULL AND (deal.owner = %(gx_current_user)s::BIGINT OR deal.owner IN (%(gx_team_mates_1)s::BIGINT, %(gx_team_mates_2)s::BIGINT, %(gx_team_mates_3)s::BIGINT)) ORDER BY deal.id DESC
 LIMIT %(param_1)s::INTEGER;
-- parameters: {'gx_current_user': 2, 'param_1': 11, 'gx_team_mates_1': 1, 'gx_team_mates_2': 2, 'gx_team_mates_3': 4}

SELECT count(*) AS count_1
FROM deal
WHERE deal.deleted_at IS NULL AND (deal.owner = %(gx_current_user)s::BIGINT OR deal.owner IN (%(gx_team_mates_1)s::BIGINT, %(gx_team_mates_2)s::BIGINT, %(gx_team_mates_3)s::BIGINT));
-- parameters: {'gx_current_user': 2, 'gx_team_mates_1': 1, 'gx_team_mates_2': 2, 'gx_team_mates_3': 4}
