//! Who else the tests need beside the bootstrap admin: another tenant (a domain made
//! in the database, as no public API makes one) and a plain project member.

use super::{Harness, ADMIN_PASSWORD};

/// Another tenant: a domain with its own admin (in an admin group), project and a
/// project-scoped token for that admin.
pub struct OtherTenant {
    pub domain_id: String,
    pub domain_name: String,
    pub admin_id: String,
    pub project_id: String,
}

impl Harness {
    /// Create a second domain directly in the database (there is no public domain API).
    pub fn other_tenant(&self, name: &str) -> OtherTenant {
        use iam_svc::repo::{self, grants::Target};
        let mut conn = self.db.pool.get().expect("conn");
        let now = self.state.clock.stored_now();
        let domain = repo::domains::Domain {
            id: repo::new_id(),
            name: name.into(),
            description: String::new(),
            enabled: true,
            created_at: now,
        };
        repo::domains::insert(&mut conn, &domain).expect("domain");
        let project = repo::projects::Project {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            parent_id: None,
            name: format!("{name}-project"),
            description: String::new(),
            enabled: true,
            created_at: now,
        };
        repo::projects::insert(&mut conn, &project).expect("project");
        let group = repo::groups::Group {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            name: "admins".into(),
            description: String::new(),
            created_at: now,
        };
        repo::groups::insert(&mut conn, &group).expect("group");
        let admin_role = repo::roles::find_by_name(&mut conn, "admin")
            .expect("q")
            .expect("role");
        repo::grants::grant(
            &mut conn,
            Target::Domain(&domain.id),
            &group.id,
            &admin_role.id,
        )
        .expect("grant");
        repo::grants::grant(
            &mut conn,
            Target::Project(&project.id),
            &group.id,
            &admin_role.id,
        )
        .expect("grant");
        let user = repo::users::User {
            id: repo::new_id(),
            domain_id: domain.id.clone(),
            name: "admin".into(),
            password_hash: credential_core::password::hash_password(ADMIN_PASSWORD, 1000)
                .expect("hash"),
            enabled: true,
            description: String::new(),
            created_at: now,
            updated_at: now,
            pwd_status: false,
        };
        repo::users::insert(&mut conn, &user).expect("user");
        repo::groups::add_member(&mut conn, &group.id, &user.id).expect("member");
        OtherTenant {
            domain_id: domain.id,
            domain_name: name.into(),
            admin_id: user.id,
            project_id: project.id,
        }
    }
}

/// A plain member: a new user in a new group that holds `member` on `project_id`.
pub struct ProjectMember {
    pub user_id: String,
    pub group_id: String,
    /// A token scoped to `project_id`.
    pub token: String,
}
