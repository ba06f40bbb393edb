//! Diesel table definitions for swr-svc; the same on SQLite and PostgreSQL.

diesel::table! {
    instances (id) {
        id -> Varchar,
        project_id -> Varchar,
        name -> Varchar,
        description -> Varchar,
        spec -> Varchar,
        status -> Varchar,
        charge_mode -> Varchar,
        vpc_id -> Varchar,
        subnet_id -> Varchar,
        enterprise_project_id -> Varchar,
        registry_service -> Varchar,
        registry_address -> Varchar,
        created_by -> Varchar,
        created_at -> Timestamp,
        long_term_credentials -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    instance_tags (instance_id, position) {
        instance_id -> Varchar,
        position -> Integer,
        tag_key -> Varchar,
        tag_value -> Varchar,
    }
}

diesel::table! {
    jobs (id) {
        id -> Varchar,
        project_id -> Varchar,
        instance_id -> Varchar,
        kind -> Varchar,
        status -> Varchar,
        reason -> Varchar,
        resource_name -> Varchar,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    credentials (id) {
        id -> Varchar,
        instance_id -> Varchar,
        user_id -> Varchar,
        user_name -> Varchar,
        name -> Varchar,
        kind -> Varchar,
        token_digest -> Varchar,
        access -> Varchar,
        enabled -> Bool,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        disabled_by -> Nullable<Varchar>,
        disabled_by_admin -> Bool,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    namespaces (id) {
        id -> BigInt,
        instance_id -> Varchar,
        registry_service -> Varchar,
        name -> Varchar,
        public -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(credentials -> instances (instance_id));
diesel::joinable!(namespaces -> instances (instance_id));
diesel::joinable!(instance_tags -> instances (instance_id));
diesel::allow_tables_to_appear_in_same_query!(
    instances,
    instance_tags,
    credentials,
    namespaces,
    jobs
);
