-- acme: 41 tables for sqlite
CREATE TABLE gx_user (
	id INTEGER NOT NULL,
	username VARCHAR(150) NOT NULL,
	display_name VARCHAR(200) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	language VARCHAR(16) NOT NULL,
	active BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (username)
);

CREATE TABLE gx_login_attempt (
	subject VARCHAR(200) NOT NULL,
	failures INTEGER NOT NULL,
	last_at DOUBLE NOT NULL,
	blocked_until DOUBLE NOT NULL,
	PRIMARY KEY (subject)
);

CREATE TABLE gx_event (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	kind VARCHAR(16) NOT NULL,
	transition VARCHAR(63),
	changes JSON NOT NULL,
	user_id INTEGER,
	at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE gx_event_cursor (
	consumer VARCHAR(100) NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (consumer)
);

CREATE TABLE gx_job (
	id INTEGER NOT NULL,
	kind VARCHAR(63) NOT NULL,
	payload JSON NOT NULL,
	"key" VARCHAR(200),
	state VARCHAR(16) NOT NULL,
	run_at DATETIME NOT NULL,
	attempts INTEGER NOT NULL,
	max_attempts INTEGER NOT NULL,
	locked_by VARCHAR(100),
	locked_until DATETIME,
	last_error TEXT,
	result TEXT,
	created_at DATETIME NOT NULL,
	finished_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE ("key")
);

CREATE INDEX ix_gx_job_due ON gx_job (state, run_at);

CREATE TABLE gx_timer (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	source VARCHAR(16) NOT NULL,
	name VARCHAR(63) NOT NULL,
	step INTEGER NOT NULL,
	due_at DATETIME NOT NULL,
	state VARCHAR(16) NOT NULL,
	armed_at DATETIME NOT NULL,
	fired_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_gx_timer_due ON gx_timer (state, due_at);

CREATE INDEX ix_gx_timer_record ON gx_timer (entity, record_id, state);

CREATE TABLE gx_sla_clock (
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	name VARCHAR(63) NOT NULL,
	started_at DATETIME NOT NULL,
	target_seconds INTEGER NOT NULL,
	used_seconds INTEGER NOT NULL,
	running_since DATETIME,
	due_at DATETIME,
	warn_at DATETIME,
	paused_at DATETIME,
	stopped_at DATETIME,
	breached_at DATETIME,
	PRIMARY KEY (entity, record_id, name)
);

CREATE TABLE gx_schedule (
	name VARCHAR(100) NOT NULL,
	last_run_at DATETIME,
	next_run_at DATETIME NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE gx_assignment (
	rule VARCHAR(100) NOT NULL,
	last_user_id INTEGER,
	PRIMARY KEY (rule)
);

CREATE TABLE gx_message (
	id INTEGER NOT NULL,
	entity VARCHAR(63),
	record_id INTEGER,
	direction VARCHAR(3) NOT NULL,
	message_id VARCHAR(300) NOT NULL,
	in_reply_to VARCHAR(300),
	from_addr VARCHAR(320) NOT NULL,
	to_addr VARCHAR(320) NOT NULL,
	subject VARCHAR(500) NOT NULL,
	body TEXT NOT NULL,
	html TEXT,
	kind VARCHAR(20) NOT NULL,
	state VARCHAR(16) NOT NULL,
	user_id INTEGER,
	contact_id INTEGER,
	suggestions JSON,
	note TEXT,
	created_at DATETIME NOT NULL,
	sent_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE (message_id)
);

CREATE INDEX ix_gx_message_record ON gx_message (entity, record_id);

CREATE TABLE gx_mail_cursor (
	name VARCHAR(63) NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE gx_webhook_delivery (
	id INTEGER NOT NULL,
	subscription VARCHAR(100) NOT NULL,
	webhook_id VARCHAR(100) NOT NULL,
	event_id INTEGER NOT NULL,
	attempt INTEGER NOT NULL,
	status INTEGER,
	elapsed_ms INTEGER NOT NULL,
	error TEXT,
	at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_gx_webhook_delivery_sub ON gx_webhook_delivery (subscription, id);

CREATE TABLE gx_webhook_state (
	name VARCHAR(100) NOT NULL,
	failures INTEGER NOT NULL,
	disabled_at DATETIME,
	PRIMARY KEY (name)
);

CREATE TABLE gx_webhook_setting (
	name VARCHAR(100) NOT NULL,
	url VARCHAR(2000),
	secret VARCHAR(200),
	updated_at DATETIME NOT NULL,
	updated_by INTEGER,
	PRIMARY KEY (name)
);

CREATE TABLE gx_target (
	target VARCHAR(100) NOT NULL,
	who VARCHAR(120) NOT NULL,
	period VARCHAR(10) NOT NULL,
	amount NUMERIC(18, 2) NOT NULL,
	set_by INTEGER,
	set_at DATETIME NOT NULL,
	PRIMARY KEY (target, who, period)
);

CREATE TABLE gx_attachment (
	id INTEGER NOT NULL,
	entity VARCHAR(100) NOT NULL,
	record_id BIGINT NOT NULL,
	field VARCHAR(100),
	name VARCHAR(255) NOT NULL,
	content_type VARCHAR(100) NOT NULL,
	size BIGINT NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	"key" VARCHAR(200) NOT NULL,
	user_id INTEGER,
	contact_id BIGINT,
	created_at DATETIME NOT NULL,
	deleted_at DATETIME,
	erased_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_gx_attachment_record ON gx_attachment (entity, record_id);

CREATE TABLE gx_portal_link (
	id INTEGER NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	email VARCHAR(320) NOT NULL,
	contact_id BIGINT,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE (token_hash)
);

CREATE INDEX ix_gx_portal_link_email ON gx_portal_link (email, created_at);

CREATE TABLE gx_portal_session (
	id INTEGER NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	contact_id BIGINT NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	ended_at DATETIME,
	PRIMARY KEY (id),
	UNIQUE (token_hash)
);

CREATE TABLE gx_public_post (
	subject VARCHAR(200) NOT NULL,
	window_start DOUBLE NOT NULL,
	posts INTEGER NOT NULL,
	PRIMARY KEY (subject)
);

CREATE TABLE gx_vote (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	voter VARCHAR(64) NOT NULL,
	helpful BOOLEAN NOT NULL,
	at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_gx_vote_voter UNIQUE (entity, record_id, voter)
);

CREATE TABLE gx_consent (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	purpose VARCHAR(63) NOT NULL,
	granted BOOLEAN NOT NULL,
	source VARCHAR(200) NOT NULL,
	at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_gx_consent_record_id ON gx_consent (record_id);

CREATE TABLE gx_user_role (
	user_id INTEGER NOT NULL,
	role VARCHAR(63) NOT NULL,
	PRIMARY KEY (user_id, role),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE TABLE gx_session (
	id VARCHAR(64) NOT NULL,
	user_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_session_expires_at ON gx_session (expires_at);

CREATE INDEX ix_gx_session_user_id ON gx_session (user_id);

CREATE TABLE gx_history (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	at DATETIME NOT NULL,
	user_id INTEGER,
	action VARCHAR(16) NOT NULL,
	transition VARCHAR(63),
	changes JSON NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_history_record ON gx_history (entity, record_id);

CREATE TABLE gx_notification (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	channel VARCHAR(16) NOT NULL,
	entity VARCHAR(63),
	record_id INTEGER,
	message JSON NOT NULL,
	source VARCHAR(100) NOT NULL,
	created_at DATETIME NOT NULL,
	read_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_notification_user ON gx_notification (user_id, read_at);

CREATE TABLE gx_team (
	name VARCHAR(63) NOT NULL,
	manager_id INTEGER,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (name),
	FOREIGN KEY(manager_id) REFERENCES gx_user (id)
);

CREATE TABLE gx_approval (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	transition VARCHAR(63) NOT NULL,
	requester_id INTEGER NOT NULL,
	payload JSON NOT NULL,
	state VARCHAR(16) NOT NULL,
	step INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	decided_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(requester_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_approval_record ON gx_approval (entity, record_id, state);

CREATE TABLE gx_mail_pref (
	user_id INTEGER NOT NULL,
	address VARCHAR(320),
	channels JSON NOT NULL,
	PRIMARY KEY (user_id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE TABLE gx_note (
	id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	record_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	body TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_note_record ON gx_note (entity, record_id);

CREATE TABLE gx_saved_view (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	entity VARCHAR(63) NOT NULL,
	name VARCHAR(100) NOT NULL,
	"query" VARCHAR(2000) NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_gx_saved_view_name UNIQUE (user_id, entity, name),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE TABLE account (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	deleted_at DATETIME,
	name VARCHAR(200) NOT NULL,
	industry VARCHAR(64),
	won_total NUMERIC(18, 2),
	open_tickets BIGINT,
	last_activity_at DATETIME,
	tier VARCHAR(64),
	segment VARCHAR(64),
	r_score BIGINT,
	f_score BIGINT,
	m_score BIGINT,
	region VARCHAR(64),
	country VARCHAR(100),
	address TEXT,
	phone VARCHAR(50),
	website VARCHAR(2048),
	employees BIGINT,
	year_established BIGINT,
	annual_revenue NUMERIC(18, 2),
	parent INTEGER,
	marketing_consent BOOLEAN,
	consent_date DATE,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_account_parent FOREIGN KEY(parent) REFERENCES account (id)
);

CREATE INDEX ix_account_1_industry ON account (industry);

CREATE INDEX ix_account_2_tier ON account (tier);

CREATE INDEX ix_account_3_segment ON account (segment);

CREATE INDEX ix_account_4_region ON account (region);

CREATE INDEX ix_account_5_won_total ON account (won_total);

CREATE INDEX ix_account_owner ON account (owner);

CREATE INDEX ix_account_parent ON account (parent);

CREATE UNIQUE INDEX uq_account_name ON account (name);

CREATE TABLE activity (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	deleted_at DATETIME,
	subject VARCHAR(200) NOT NULL,
	kind VARCHAR(64) NOT NULL,
	due DATETIME,
	done BOOLEAN,
	account INTEGER,
	contact INTEGER,
	opportunity INTEGER,
	notes TEXT,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_activity_account FOREIGN KEY(account) REFERENCES account (id),
	CONSTRAINT fk_activity_contact FOREIGN KEY(contact) REFERENCES contact (id),
	CONSTRAINT fk_activity_opportunity FOREIGN KEY(opportunity) REFERENCES opportunity (id)
);

CREATE INDEX ix_activity_1_done_due ON activity (done, due);

CREATE INDEX ix_activity_account ON activity (account);

CREATE INDEX ix_activity_contact ON activity (contact);

CREATE INDEX ix_activity_opportunity ON activity (opportunity);

CREATE INDEX ix_activity_owner ON activity (owner);

CREATE TABLE article (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	state VARCHAR(63) NOT NULL,
	deleted_at DATETIME,
	title VARCHAR(200) NOT NULL,
	body TEXT NOT NULL,
	category VARCHAR(64) NOT NULL,
	keywords VARCHAR(300),
	language VARCHAR(64) NOT NULL,
	visibility VARCHAR(64) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id)
);

CREATE INDEX ix_article_owner ON article (owner);

CREATE INDEX ix_article_state ON article (state);

CREATE TABLE campaign (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	deleted_at DATETIME,
	name VARCHAR(200) NOT NULL,
	channel VARCHAR(64) NOT NULL,
	budget NUMERIC(18, 2),
	starts_on DATE,
	ends_on DATE,
	audience VARCHAR(500),
	subject VARCHAR(200),
	email_text TEXT,
	leads BIGINT,
	won_value NUMERIC(18, 2),
	cost_per_lead NUMERIC(18, 2),
	return_on_budget NUMERIC(30, 2),
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id)
);

CREATE INDEX ix_campaign_owner ON campaign (owner);

CREATE TABLE contact (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	deleted_at DATETIME,
	name VARCHAR(200) NOT NULL,
	account INTEGER NOT NULL,
	job_title VARCHAR(100),
	email VARCHAR(254),
	phone VARCHAR(50),
	mobile VARCHAR(50),
	address TEXT,
	preferred_language VARCHAR(64),
	marketing_consent BOOLEAN,
	consent_date DATE,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_contact_account FOREIGN KEY(account) REFERENCES account (id)
);

CREATE INDEX ix_contact_account ON contact (account);

CREATE INDEX ix_contact_email ON contact (email);

CREATE INDEX ix_contact_owner ON contact (owner);

CREATE TABLE lead (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	state VARCHAR(63) NOT NULL,
	deleted_at DATETIME,
	name VARCHAR(200) NOT NULL,
	company VARCHAR(200),
	email VARCHAR(254),
	phone VARCHAR(50),
	source VARCHAR(64) NOT NULL,
	referrer VARCHAR(200),
	industry VARCHAR(64),
	value NUMERIC(18, 2),
	income NUMERIC(18, 2),
	address TEXT,
	marketing_consent BOOLEAN,
	loss_reason VARCHAR(64),
	campaign INTEGER,
	converted_on DATE,
	notes TEXT,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_lead_campaign FOREIGN KEY(campaign) REFERENCES campaign (id)
);

CREATE INDEX ix_lead_1_source ON lead (source);

CREATE INDEX ix_lead_2_industry ON lead (industry);

CREATE INDEX ix_lead_campaign ON lead (campaign);

CREATE INDEX ix_lead_owner ON lead (owner);

CREATE INDEX ix_lead_state ON lead (state);

CREATE UNIQUE INDEX uq_lead_email ON lead (email);

CREATE TABLE opportunity (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	state VARCHAR(63) NOT NULL,
	deleted_at DATETIME,
	name VARCHAR(200) NOT NULL,
	account INTEGER NOT NULL,
	contact INTEGER,
	product VARCHAR(64) NOT NULL,
	amount NUMERIC(18, 2),
	probability NUMERIC(7, 2),
	expected_value NUMERIC(18, 2),
	engage_date DATE,
	close_date DATE,
	campaign INTEGER,
	close_value NUMERIC(18, 2),
	loss_reason VARCHAR(64),
	notes TEXT,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_opportunity_account FOREIGN KEY(account) REFERENCES account (id),
	CONSTRAINT fk_opportunity_contact FOREIGN KEY(contact) REFERENCES contact (id),
	CONSTRAINT fk_opportunity_campaign FOREIGN KEY(campaign) REFERENCES campaign (id)
);

CREATE INDEX ix_opportunity_1_product ON opportunity (product);

CREATE INDEX ix_opportunity_2_account_close_date ON opportunity (account, close_date);

CREATE INDEX ix_opportunity_account ON opportunity (account);

CREATE INDEX ix_opportunity_campaign ON opportunity (campaign);

CREATE INDEX ix_opportunity_close_date ON opportunity (close_date);

CREATE INDEX ix_opportunity_contact ON opportunity (contact);

CREATE INDEX ix_opportunity_owner ON opportunity (owner);

CREATE INDEX ix_opportunity_state ON opportunity (state);

CREATE TABLE quote (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	state VARCHAR(63) NOT NULL,
	deleted_at DATETIME,
	number VARCHAR(20) NOT NULL,
	account INTEGER NOT NULL,
	opportunity INTEGER,
	total NUMERIC(18, 2) NOT NULL,
	discount NUMERIC(7, 2),
	discount_reason TEXT,
	net_total NUMERIC(18, 2),
	valid_until DATE NOT NULL,
	rejection_reason TEXT,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_quote_account FOREIGN KEY(account) REFERENCES account (id),
	CONSTRAINT fk_quote_opportunity FOREIGN KEY(opportunity) REFERENCES opportunity (id)
);

CREATE INDEX ix_quote_1_valid_until ON quote (valid_until);

CREATE INDEX ix_quote_account ON quote (account);

CREATE INDEX ix_quote_opportunity ON quote (opportunity);

CREATE INDEX ix_quote_owner ON quote (owner);

CREATE INDEX ix_quote_state ON quote (state);

CREATE UNIQUE INDEX uq_quote_number ON quote (number);

CREATE TABLE ticket (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	created_by INTEGER,
	owner INTEGER,
	version INTEGER NOT NULL,
	state VARCHAR(63) NOT NULL,
	deleted_at DATETIME,
	subject VARCHAR(200) NOT NULL,
	kind VARCHAR(64) NOT NULL,
	priority VARCHAR(64) NOT NULL,
	channel VARCHAR(64) NOT NULL,
	category VARCHAR(64),
	account INTEGER,
	contact INTEGER,
	description TEXT,
	assignee INTEGER,
	first_response_at DATETIME,
	resolution TEXT,
	article INTEGER,
	requester_name VARCHAR(200),
	requester_email VARCHAR(254),
	privacy_consent BOOLEAN,
	PRIMARY KEY (id),
	FOREIGN KEY(created_by) REFERENCES gx_user (id),
	FOREIGN KEY(owner) REFERENCES gx_user (id),
	CONSTRAINT fk_ticket_account FOREIGN KEY(account) REFERENCES account (id),
	CONSTRAINT fk_ticket_contact FOREIGN KEY(contact) REFERENCES contact (id),
	CONSTRAINT fk_ticket_assignee FOREIGN KEY(assignee) REFERENCES gx_user (id),
	CONSTRAINT fk_ticket_article FOREIGN KEY(article) REFERENCES article (id)
);

CREATE INDEX ix_ticket_1_priority ON ticket (priority);

CREATE INDEX ix_ticket_2_kind_category ON ticket (kind, category);

CREATE INDEX ix_ticket_account ON ticket (account);

CREATE INDEX ix_ticket_article ON ticket (article);

CREATE INDEX ix_ticket_assignee ON ticket (assignee);

CREATE INDEX ix_ticket_contact ON ticket (contact);

CREATE INDEX ix_ticket_owner ON ticket (owner);

CREATE INDEX ix_ticket_state ON ticket (state);

CREATE TABLE gx_team_member (
	team VARCHAR(63) NOT NULL,
	user_id INTEGER NOT NULL,
	PRIMARY KEY (team, user_id),
	FOREIGN KEY(team) REFERENCES gx_team (name),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_team_member_user ON gx_team_member (user_id);

CREATE TABLE gx_approval_task (
	id INTEGER NOT NULL,
	approval_id INTEGER NOT NULL,
	step INTEGER NOT NULL,
	party INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	decision VARCHAR(16),
	comment TEXT,
	asked_at DATETIME NOT NULL,
	decided_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(approval_id) REFERENCES gx_approval (id),
	FOREIGN KEY(user_id) REFERENCES gx_user (id)
);

CREATE INDEX ix_gx_approval_task_approval ON gx_approval_task (approval_id, step);

CREATE INDEX ix_gx_approval_task_user ON gx_approval_task (user_id, decision);

