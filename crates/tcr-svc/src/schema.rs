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
        tags -> Text,
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

diesel::table! {
    namespaces (id) {
        id -> BigInt,
        registry_id -> Varchar,
        registry_service -> Varchar,
        name -> Varchar,
        public -> Bool,
        auto_scan -> Bool,
        prevent_vul -> Bool,
        severity -> Varchar,
        cve_whitelist -> Text,
        tags -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_accounts (id) {
        id -> Varchar,
        registry_id -> Varchar,
        registry_service -> Varchar,
        name -> Varchar,
        description -> Varchar,
        password_digest -> Varchar,
        permissions -> Text,
        disabled -> Bool,
        expires_at -> Nullable<Timestamp>,
        created_by -> Varchar,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rate_windows (account_id, action, window_start) {
        account_id -> Varchar,
        action -> Varchar,
        window_start -> BigInt,
        count -> Integer,
    }
}

diesel::joinable!(instance_tokens -> registries (registry_id));
diesel::joinable!(namespaces -> registries (registry_id));
diesel::joinable!(service_accounts -> registries (registry_id));
diesel::allow_tables_to_appear_in_same_query!(
    registries,
    instance_tokens,
    namespaces,
    service_accounts
);
