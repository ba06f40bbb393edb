//! Diesel table definitions for lakeformation-svc; the same on SQLite and PostgreSQL.

diesel::table! {
    instances (id) {
        id -> Varchar,
        project_id -> Varchar,
        name -> Varchar,
        description -> Varchar,
        status -> Varchar,
        created_by -> Varchar,
        created_at -> Timestamp,
    }
}

diesel::table! {
    issuances (id) {
        id -> Varchar,
        access -> Varchar,
        instance_id -> Varchar,
        project_id -> Varchar,
        domain_id -> Varchar,
        user_id -> Varchar,
        user_names -> Varchar,
        groups_requested -> Varchar,
        roles -> Varchar,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(instances, issuances);
