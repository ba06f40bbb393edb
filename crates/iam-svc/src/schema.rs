//! Diesel table definitions for iam-svc; the same on SQLite and PostgreSQL.

diesel::table! {
    domains (id) {
        id -> Varchar,
        name -> Varchar,
        description -> Varchar,
        enabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    projects (id) {
        id -> Varchar,
        domain_id -> Varchar,
        parent_id -> Nullable<Varchar>,
        name -> Varchar,
        description -> Varchar,
        enabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Varchar,
        domain_id -> Varchar,
        name -> Varchar,
        password_hash -> Varchar,
        enabled -> Bool,
        description -> Varchar,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        pwd_status -> Bool,
    }
}

diesel::table! {
    user_groups (id) {
        id -> Varchar,
        domain_id -> Varchar,
        name -> Varchar,
        description -> Varchar,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Varchar,
        user_id -> Varchar,
    }
}

diesel::table! {
    roles (id) {
        id -> Varchar,
        name -> Varchar,
        display_name -> Varchar,
        description -> Varchar,
    }
}

diesel::table! {
    project_grants (project_id, group_id, role_id) {
        project_id -> Varchar,
        group_id -> Varchar,
        role_id -> Varchar,
    }
}

diesel::table! {
    domain_grants (domain_id, group_id, role_id) {
        domain_id -> Varchar,
        group_id -> Varchar,
        role_id -> Varchar,
    }
}

diesel::table! {
    revocation_events (seq) {
        seq -> BigInt,
        kind -> Varchar,
        subject -> Varchar,
        revoked_at -> Timestamp,
        relevant_until -> Timestamp,
    }
}

diesel::table! {
    login_limits (subject) {
        subject -> Varchar,
        attempts -> Integer,
        window_start -> Timestamp,
    }
}

diesel::joinable!(projects -> domains (domain_id));
diesel::joinable!(users -> domains (domain_id));
diesel::joinable!(user_groups -> domains (domain_id));
diesel::joinable!(group_members -> user_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(project_grants -> projects (project_id));
diesel::joinable!(project_grants -> user_groups (group_id));
diesel::joinable!(project_grants -> roles (role_id));
diesel::joinable!(domain_grants -> domains (domain_id));
diesel::joinable!(domain_grants -> user_groups (group_id));
diesel::joinable!(domain_grants -> roles (role_id));

diesel::allow_tables_to_appear_in_same_query!(
    access_keys,
    domains,
    projects,
    users,
    user_groups,
    group_members,
    roles,
    project_grants,
    domain_grants,
    revocation_events,
);

diesel::table! {
    access_keys (access) {
        access -> Varchar,
        user_id -> Varchar,
        domain_id -> Varchar,
        sealed_secret -> Varchar,
        status -> Varchar,
        description -> Varchar,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(access_keys -> users (user_id));

diesel::table! {
    temporary_keys (access) {
        access -> Varchar,
        token_id -> Varchar,
        user_id -> Varchar,
        domain_id -> Varchar,
        project_id -> Varchar,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(temporary_keys -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(temporary_keys, users);
diesel::allow_tables_to_appear_in_same_query!(temporary_keys, domains);
