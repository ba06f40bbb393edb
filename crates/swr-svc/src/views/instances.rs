//! Instances and their jobs as `huaweicloudsdkswr` reads them
//! (`CreateInstanceResponse`, `Instance`, `JobDetail`, `ListInstanceStatisticsResponse`,
//! `ListInstanceResourceTagsResponse`).

use serde::Serialize;
use utoipa::ToSchema;

use super::swr_time;
use crate::domain::instances::Statistics;
use crate::instance_requests::Tag;
use crate::repo::instances::Instance;
use crate::repo::jobs::Job;

/// The answer to a create: the instance and the job that made it.
#[derive(Serialize, ToSchema)]
#[schema(as = CreateInstanceResponse)]
pub struct Created<'a> {
    pub instance_id: &'a str,
    /// The creation's job, finished at once: `GET /v2/{project_id}/jobs/{job_id}` says
    /// `Success` (until the job is deleted).
    pub job_id: &'a str,
}

impl<'a> Created<'a> {
    pub fn of(i: &'a Instance, job: &'a Job) -> Self {
        Created {
            instance_id: &i.id,
            job_id: &job.id,
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
    /// Always empty: no OBS bucket is made (`user_def_obs` is false).
    #[schema(max_length = 0)]
    pub obs_bucket_name: &'static str,
    pub project_id: &'a str,
    pub registry: RegistryView<'a>,
    #[schema(example = "swr.ee.professional")]
    pub spec: &'a str,
    /// `Running`: creation finishes at once.
    #[schema(example = "Running")]
    pub status: &'a str,
    pub subnet_id: &'a str,
    /// When the instance last changed: its creation, or the move of its registry (its
    /// `access_address`) when the operator configured another.
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub updated_at: String,
    /// Always false: no OBS bucket of the user's is used.
    pub user_def_obs: bool,
    /// The version of swr-svc that serves the instance.
    #[schema(example = "0.1.0")]
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
            obs_bucket_name: "",
            project_id: &i.project_id,
            registry: RegistryView {
                address: &i.registry_address,
                service: &i.registry_service,
            },
            spec: &i.spec,
            status: &i.status,
            subnet_id: &i.subnet_id,
            updated_at: swr_time(i.updated_at),
            user_def_obs: false,
            version: env!("CARGO_PKG_VERSION"),
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

/// What a job did to an instance.
#[derive(Serialize, ToSchema)]
pub enum JobType {
    CreateInstance,
    DeleteInstance,
}

/// How a job ended: each finishes inside the request that starts it, and one that could
/// not finish leaves no job, so every job succeeded.
#[derive(Serialize, ToSchema)]
pub enum JobStatus {
    Success,
}

/// A job: what the API did to an instance, and how it ended.
#[derive(Serialize, ToSchema)]
#[schema(as = JobDetail)]
pub struct JobView<'a> {
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    pub id: &'a str,
    pub instance_id: &'a str,
    /// Why the job failed; always empty, as no stored job failed.
    #[schema(max_length = 0)]
    pub reason: &'a str,
    /// The instance's id.
    pub resource_id: &'a str,
    /// The instance's name when the job ran.
    pub resource_name: &'a str,
    pub status: JobStatus,
    #[serde(rename = "type")]
    pub kind: JobType,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub updated_at: String,
}

impl<'a> JobView<'a> {
    pub fn of(j: &'a Job) -> Self {
        JobView {
            created_at: swr_time(j.created_at),
            id: &j.id,
            instance_id: &j.instance_id,
            reason: &j.reason,
            resource_id: &j.instance_id,
            resource_name: &j.resource_name,
            status: JobStatus::Success,
            kind: if j.kind == crate::repo::jobs::DELETE_INSTANCE {
                JobType::DeleteInstance
            } else {
                JobType::CreateInstance
            },
            updated_at: swr_time(j.updated_at),
        }
    }
}

/// A page of the project's jobs.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceJobsResponse)]
pub struct JobPage<'a> {
    pub jobs: Vec<JobView<'a>>,
    /// Every match, not the page's size.
    pub total: i64,
}

impl<'a> JobPage<'a> {
    pub fn of(rows: &'a [Job], total: i64) -> Self {
        JobPage {
            jobs: rows.iter().map(JobView::of).collect(),
            total,
        }
    }
}

/// The figures of an instance that swr-svc knows, from its database. The others the
/// vendor answers (storage used, images, replication, retention, signing, webhooks,
/// intranet endpoints) are left out: swr-svc does not see the registry's contents and
/// has none of those features.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceStatisticsResponse)]
pub struct StatisticsView {
    /// The long-term (and temporary) credentials one user may hold on the instance:
    /// `credentials.max_per_user_per_instance`.
    pub long_term_quota: u32,
    /// The instance's live namespaces.
    pub total_namespace_count: i64,
}

impl StatisticsView {
    pub fn of(s: &Statistics) -> Self {
        StatisticsView {
            long_term_quota: s.long_term_quota,
            total_namespace_count: s.namespaces,
        }
    }
}

/// The resource tags of an instance, as given at its creation.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceResourceTagsResponse)]
pub struct TagsView {
    pub tags: Vec<Tag>,
}
