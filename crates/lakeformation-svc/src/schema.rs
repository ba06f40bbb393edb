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
        enterprise_project_id -> Varchar,
        shared -> Bool,
        specs -> Varchar,
        updated_at -> Timestamp,
        recycled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_tags (instance_id, tag_key) {
        instance_id -> Varchar,
        tag_key -> Varchar,
        tag_value -> Varchar,
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

diesel::joinable!(instance_tags -> instances (instance_id));
diesel::allow_tables_to_appear_in_same_query!(instances, instance_tags, issuances);
