//! Diesel table definitions for tcr-svc; the same on SQLite and PostgreSQL.

diesel::table! {
    registries (id) {
        id -> Varchar,
        domain_id -> Varchar,
        name -> Varchar,
        registry_type -> Varchar,
        region -> Varchar,
        status -> Varchar,
        registry_service -> Varchar,
        registry_address -> Varchar,
        created_at -> Timestamp,
        longterm_tokens -> BigInt,
    }
}

diesel::table! {
    instance_tokens (id) {
        id -> Varchar,
        registry_id -> Varchar,
        user_id -> Varchar,
        kind -> Varchar,
        token_digest -> Varchar,
        description -> Varchar,
        access -> Varchar,
        enabled -> Bool,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        disabled_by -> Nullable<Varchar>,
        disabled_by_admin -> Bool,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(instance_tokens -> registries (registry_id));
diesel::allow_tables_to_appear_in_same_query!(registries, instance_tokens);
