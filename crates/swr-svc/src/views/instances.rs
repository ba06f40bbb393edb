//! Instances and their creation jobs as `huaweicloudsdkswr` reads them
//! (`CreateInstanceResponse`, `Instance`, `JobDetail`).

use serde::Serialize;
use utoipa::ToSchema;

use super::swr_time;
use crate::repo::instances::Instance;

/// The answer to a create: the instance and the job that made it.
#[derive(Serialize, ToSchema)]
#[schema(as = CreateInstanceResponse)]
pub struct Created<'a> {
    pub instance_id: &'a str,
    /// Finished at once: `GET /v2/{project_id}/jobs/{job_id}` says `Success`.
    pub job_id: &'a str,
}

impl<'a> Created<'a> {
    pub fn of(i: &'a Instance) -> Self {
        Created {
            instance_id: &i.id,
            job_id: &i.job_id,
        }
    }
}

/// The registry an instance fronts: the operator's, from the configuration.
#[derive(Serialize, ToSchema)]
#[schema(as = Registry)]
pub struct RegistryView<'a> {
    /// The registry's host:port.
    pub address: &'a str,
    /// The token `service` (JWT `aud`) the registry is configured with.
    pub service: &'a str,
}

/// An instance, flat (ShowInstance answers it at the top level).
#[derive(Serialize, ToSchema)]
#[schema(as = Instance)]
pub struct InstanceView<'a> {
    /// The registry's host:port, as `registry.address`.
    pub access_address: &'a str,
    #[schema(example = "postPaid")]
    pub charge_mode: &'a str,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    pub description: &'a str,
    pub enterprise_project_id: &'a str,
    /// Always empty: a pay-per-use instance has no end date.
    #[schema(max_length = 0)]
    pub expires_at: &'static str,
    pub id: &'a str,
    pub name: &'a str,
    pub project_id: &'a str,
    pub registry: RegistryView<'a>,
    #[schema(example = "swr.ee.professional")]
    pub spec: &'a str,
    /// `Running`: creation finishes at once.
    #[schema(example = "Running")]
    pub status: &'a str,
    pub subnet_id: &'a str,
    /// The creation time: an instance is never changed.
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub updated_at: String,
    /// Always false: no OBS bucket of the user's is used.
    pub user_def_obs: bool,
    #[schema(example = "v2")]
    pub version: &'static str,
    pub vpc_id: &'a str,
}

impl<'a> InstanceView<'a> {
    pub fn of(i: &'a Instance) -> Self {
        InstanceView {
            access_address: &i.registry_address,
            charge_mode: &i.charge_mode,
            created_at: swr_time(i.created_at),
            description: &i.description,
            enterprise_project_id: &i.enterprise_project_id,
            expires_at: "",
            id: &i.id,
            name: &i.name,
            project_id: &i.project_id,
            registry: RegistryView {
                address: &i.registry_address,
                service: &i.registry_service,
            },
            spec: &i.spec,
            status: &i.status,
            subnet_id: &i.subnet_id,
            updated_at: swr_time(i.created_at),
            user_def_obs: false,
            version: "v2",
            vpc_id: &i.vpc_id,
        }
    }
}

/// A page of the project's instances.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceResponse)]
pub struct InstancePage<'a> {
    pub instances: Vec<InstanceView<'a>>,
    /// Every match, not the page's size.
    pub total: i64,
}

impl<'a> InstancePage<'a> {
    pub fn of(rows: &'a [Instance], total: i64) -> Self {
        InstancePage {
            instances: rows.iter().map(InstanceView::of).collect(),
            total,
        }
    }
}

/// What a job did: the only job is an instance's creation.
#[derive(Serialize, ToSchema)]
pub enum JobType {
    CreateInstance,
}

/// How a job stands: creation finishes at once, so every job succeeded.
#[derive(Serialize, ToSchema)]
pub enum JobStatus {
    Success,
}

/// An instance's creation job: done when it started.
#[derive(Serialize, ToSchema)]
#[schema(as = JobDetail)]
pub struct JobView<'a> {
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    pub id: &'a str,
    pub instance_id: &'a str,
    /// Always empty: no job fails.
    #[schema(max_length = 0)]
    pub reason: &'static str,
    /// The instance's id.
    pub resource_id: &'a str,
    /// The instance's name.
    pub resource_name: &'a str,
    pub status: JobStatus,
    #[serde(rename = "type")]
    pub kind: JobType,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub updated_at: String,
}

impl<'a> JobView<'a> {
    pub fn of(i: &'a Instance) -> Self {
        JobView {
            created_at: swr_time(i.created_at),
            id: &i.job_id,
            instance_id: &i.id,
            reason: "",
            resource_id: &i.id,
            resource_name: &i.name,
            status: JobStatus::Success,
            kind: JobType::CreateInstance,
            updated_at: swr_time(i.created_at),
        }
    }
}

/// A page of the project's creation jobs.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceJobsResponse)]
pub struct JobPage<'a> {
    pub jobs: Vec<JobView<'a>>,
    /// Every match, not the page's size.
    pub total: i64,
}

impl<'a> JobPage<'a> {
    pub fn of(rows: &'a [Instance], total: i64) -> Self {
        JobPage {
            jobs: rows.iter().map(JobView::of).collect(),
            total,
        }
    }
}
