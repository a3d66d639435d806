package fake

// The route table: one row per operation (method, path, scope, permission, status, handler),
// the organization operations first, then the companions real clients call around them.

// routes is the route table: every operation fakehog serves, one row each — method, path
// template, the personal API key scope PostHog requires ("" = session only: PostHog refuses
// personal API keys there), the permission, the success status (0 = 200) and the handler.
// Every path also answers without its trailing slash. The coverage test reads this table
// against testdata/endpoints.txt, beyond-docs.txt and scopes.txt.
func routes(s *Server) []route {
	return []route{
		{"GET", "/api/organizations/", "organization:read", permUser, 0, s.listOrganizations},
		{"POST", "/api/organizations/", "organization:write", permUser, 201, s.createOrganization},
		{"GET", "/api/organizations/{id}/", "organization:read", permOrgDetail, 0, s.getOrganization},
		{"PUT", "/api/organizations/{id}/", "organization:write", permOrgDetail, 0, s.updateOrganization},
		{"PATCH", "/api/organizations/{id}/", "organization:write", permOrgDetail, 0, s.updateOrganization},
		{"DELETE", "/api/organizations/{id}/", "organization:write", permOrgDetail, 204, s.deleteOrganization},
		{"POST", "/api/organizations/{id}/environments_rollback/", "", permOrgDetail, 202, s.organizationEnvironmentsRollback},
		{"GET", "/api/organizations/{organization_id}/advanced_activity_logs/", "activity_log:read", permMember, 0, s.listAdvancedActivityLogs},
		{"GET", "/api/organizations/{organization_id}/advanced_activity_logs/available_filters/", "activity_log:read", permMember, 0, s.advancedActivityLogAvailableFilters},
		{"POST", "/api/organizations/{organization_id}/advanced_activity_logs/export/", "", permMember, 0, s.advancedActivityLogExport},
		{"GET", "/api/organizations/{organization_id}/batch_exports/", "batch_export:read", permMember, 0, s.listBatchExports},
		{"POST", "/api/organizations/{organization_id}/batch_exports/", "batch_export:write", permMember, 201, s.createBatchExport},
		{"POST", "/api/organizations/{organization_id}/batch_exports/run_test_step_new/", "batch_export:write", permMember, 0, s.batchExportRunTestStepNew},
		{"GET", "/api/organizations/{organization_id}/batch_exports/test/", "batch_export:read", permMember, 0, s.batchExportTest},
		{"GET", "/api/organizations/{organization_id}/batch_exports/{id}/", "batch_export:read", permMember, 0, s.getBatchExport},
		{"PUT", "/api/organizations/{organization_id}/batch_exports/{id}/", "batch_export:write", permMember, 0, s.updateBatchExport},
		{"PATCH", "/api/organizations/{organization_id}/batch_exports/{id}/", "batch_export:write", permMember, 0, s.updateBatchExport},
		{"DELETE", "/api/organizations/{organization_id}/batch_exports/{id}/", "batch_export:write", permMember, 204, s.deleteBatchExport},
		{"POST", "/api/organizations/{organization_id}/batch_exports/{id}/backfill/", "batch_export:write", permMember, 0, s.batchExportBackfill},
		{"GET", "/api/organizations/{organization_id}/batch_exports/{id}/logs/", "", permMember, 0, s.batchExportLogs},
		{"POST", "/api/organizations/{organization_id}/batch_exports/{id}/pause/", "batch_export:write", permMember, 0, s.batchExportPause},
		{"POST", "/api/organizations/{organization_id}/batch_exports/{id}/run_test_step/", "batch_export:write", permMember, 0, s.batchExportRunTestStep},
		{"POST", "/api/organizations/{organization_id}/batch_exports/{id}/unpause/", "batch_export:write", permMember, 0, s.batchExportUnpause},
		{"GET", "/api/organizations/{organization_id}/cimd_verification_tokens/", "organization:read", permAdminWrite, 0, s.listCIMDTokens},
		{"POST", "/api/organizations/{organization_id}/cimd_verification_tokens/", "organization:write", permAdminWrite, 201, s.createCIMDToken},
		{"GET", "/api/organizations/{organization_id}/cimd_verification_tokens/{id}/", "organization:read", permAdminWrite, 0, s.getCIMDToken},
		{"DELETE", "/api/organizations/{organization_id}/cimd_verification_tokens/{id}/", "organization:write", permAdminWrite, 204, s.deleteCIMDToken},
		{"GET", "/api/organizations/{organization_id}/domains/", "organization:read", permAdminWrite, 0, s.listDomains},
		{"POST", "/api/organizations/{organization_id}/domains/", "organization:write", permAdminWrite, 201, s.createDomain},
		{"GET", "/api/organizations/{organization_id}/domains/{id}/", "organization:read", permAdminWrite, 0, s.getDomain},
		{"PUT", "/api/organizations/{organization_id}/domains/{id}/", "organization:write", permAdminWrite, 0, s.updateDomain},
		{"PATCH", "/api/organizations/{organization_id}/domains/{id}/", "organization:write", permAdminWrite, 0, s.updateDomain},
		{"DELETE", "/api/organizations/{organization_id}/domains/{id}/", "organization:write", permAdminWrite, 204, s.deleteDomain},
		{"GET", "/api/organizations/{organization_id}/domains/{id}/scim/logs/", "", permAdminWrite, 0, s.domainScimLogs},
		{"POST", "/api/organizations/{organization_id}/domains/{id}/scim/token/", "", permAdminWrite, 0, s.domainScimToken},
		{"POST", "/api/organizations/{organization_id}/domains/{id}/verify/", "", permAdminWrite, 0, s.domainVerify},
		{"GET", "/api/organizations/{organization_id}/integrations/", "organization_integration:read", permAdminWrite, 0, s.listIntegrations},
		{"GET", "/api/organizations/{organization_id}/integrations/{id}/", "organization_integration:read", permAdminWrite, 0, s.getIntegration},
		{"DELETE", "/api/organizations/{organization_id}/integrations/{id}/", "organization_integration:write", permAdminWrite, 204, s.deleteIntegration},
		{"PATCH", "/api/organizations/{organization_id}/integrations/{id}/environment-mapping/", "", permAdminWrite, 0, s.integrationEnvironmentMapping},
		{"GET", "/api/organizations/{organization_id}/invites/", "organization_member:read", permMember, 0, s.listInvites},
		{"POST", "/api/organizations/{organization_id}/invites/", "organization_member:write", permMember, 201, s.createInvite},
		{"POST", "/api/organizations/{organization_id}/invites/bulk/", "organization_member:write", permMember, 201, s.inviteBulk},
		{"POST", "/api/organizations/{organization_id}/invites/delegate/", "organization_member:write", permMember, 201, s.inviteDelegate},
		{"DELETE", "/api/organizations/{organization_id}/invites/{id}/", "organization_member:write", permMember, 204, s.deleteInvite},
		{"GET", "/api/organizations/{organization_id}/legal_documents/", "legal_document:read", permAdmin, 0, s.listLegalDocuments},
		{"POST", "/api/organizations/{organization_id}/legal_documents/", "legal_document:write", permAdmin, 201, s.createLegalDocument},
		{"GET", "/api/organizations/{organization_id}/legal_documents/{id}/", "legal_document:read", permAdmin, 0, s.getLegalDocument},
		{"GET", "/api/organizations/{organization_id}/legal_documents/{id}/download/", "", permAdmin, 0, s.legalDocumentDownload},
		{"GET", "/api/organizations/{organization_id}/members/", "organization_member:read", permMember, 0, s.listMembers},
		{"PUT", "/api/organizations/{organization_id}/members/{user__uuid}/", "organization_member:write", permMember, 0, s.updateMember},
		{"PATCH", "/api/organizations/{organization_id}/members/{user__uuid}/", "organization_member:write", permMember, 0, s.updateMember},
		{"DELETE", "/api/organizations/{organization_id}/members/{user__uuid}/", "organization_member:write", permMember, 204, s.deleteMember},
		{"GET", "/api/organizations/{organization_id}/members/{user__uuid}/github_login/", "organization_member:read", permMember, 0, s.memberGithubLogin},
		{"GET", "/api/organizations/{organization_id}/members/{user__uuid}/scoped_api_keys/", "", permMember, 0, s.memberScopedApiKeys},
		{"GET", "/api/organizations/{organization_id}/oauth_applications/", "organization:read", permMember, 0, s.listOAuthApplications},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/", "plugin:read", permMember, 0, pluginFamily{pipelineDestinations}.list},
		{"POST", "/api/organizations/{organization_id}/pipeline_destinations/", "plugin:write", permMember, 201, pluginFamily{pipelineDestinations}.create},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/activity/", "", permMember, 0, pluginFamily{pipelineDestinations}.activity},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/exports_unsubscribe_configs/", "", permMember, 0, pluginFamily{pipelineDestinations}.exportsUnsubscribeConfigs},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/repository/", "", permMember, 0, pluginFamily{pipelineDestinations}.repository},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/unused/", "", permMember, 0, pluginFamily{pipelineDestinations}.unused},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/{id}/", "plugin:read", permMember, 0, pluginFamily{pipelineDestinations}.get},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_destinations/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineDestinations}.update},
		{"DELETE", "/api/organizations/{organization_id}/pipeline_destinations/{id}/", "plugin:write", permMember, 204, pluginFamily{pipelineDestinations}.delete},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/{id}/check_for_updates/", "", permMember, 0, pluginFamily{pipelineDestinations}.checkForUpdates},
		{"GET", "/api/organizations/{organization_id}/pipeline_destinations/{id}/source/", "", permMember, 0, pluginFamily{pipelineDestinations}.source},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_destinations/{id}/update_source/", "", permMember, 0, pluginFamily{pipelineDestinations}.updateSource},
		{"POST", "/api/organizations/{organization_id}/pipeline_destinations/{id}/upgrade/", "", permMember, 0, pluginFamily{pipelineDestinations}.upgrade},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/", "plugin:read", permMember, 0, pluginFamily{pipelineFrontendApps}.list},
		{"POST", "/api/organizations/{organization_id}/pipeline_frontend_apps/", "plugin:write", permMember, 201, pluginFamily{pipelineFrontendApps}.create},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/activity/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.activity},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/exports_unsubscribe_configs/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.exportsUnsubscribeConfigs},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/repository/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.repository},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/unused/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.unused},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/", "plugin:read", permMember, 0, pluginFamily{pipelineFrontendApps}.get},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineFrontendApps}.update},
		{"DELETE", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/", "plugin:write", permMember, 204, pluginFamily{pipelineFrontendApps}.delete},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/check_for_updates/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.checkForUpdates},
		{"GET", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/source/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.source},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/update_source/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.updateSource},
		{"POST", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/upgrade/", "", permMember, 0, pluginFamily{pipelineFrontendApps}.upgrade},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/", "plugin:read", permMember, 0, pluginFamily{pipelineImportApps}.list},
		{"POST", "/api/organizations/{organization_id}/pipeline_import_apps/", "plugin:write", permMember, 201, pluginFamily{pipelineImportApps}.create},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/activity/", "", permMember, 0, pluginFamily{pipelineImportApps}.activity},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/exports_unsubscribe_configs/", "", permMember, 0, pluginFamily{pipelineImportApps}.exportsUnsubscribeConfigs},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/repository/", "", permMember, 0, pluginFamily{pipelineImportApps}.repository},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/unused/", "", permMember, 0, pluginFamily{pipelineImportApps}.unused},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/", "plugin:read", permMember, 0, pluginFamily{pipelineImportApps}.get},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineImportApps}.update},
		{"DELETE", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/", "plugin:write", permMember, 204, pluginFamily{pipelineImportApps}.delete},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/check_for_updates/", "", permMember, 0, pluginFamily{pipelineImportApps}.checkForUpdates},
		{"GET", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/source/", "", permMember, 0, pluginFamily{pipelineImportApps}.source},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/update_source/", "", permMember, 0, pluginFamily{pipelineImportApps}.updateSource},
		{"POST", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/upgrade/", "", permMember, 0, pluginFamily{pipelineImportApps}.upgrade},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/", "plugin:read", permMember, 0, pluginFamily{pipelineTransformations}.list},
		{"POST", "/api/organizations/{organization_id}/pipeline_transformations/", "plugin:write", permMember, 201, pluginFamily{pipelineTransformations}.create},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/activity/", "", permMember, 0, pluginFamily{pipelineTransformations}.activity},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/exports_unsubscribe_configs/", "", permMember, 0, pluginFamily{pipelineTransformations}.exportsUnsubscribeConfigs},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/repository/", "", permMember, 0, pluginFamily{pipelineTransformations}.repository},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/unused/", "", permMember, 0, pluginFamily{pipelineTransformations}.unused},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/{id}/", "plugin:read", permMember, 0, pluginFamily{pipelineTransformations}.get},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_transformations/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineTransformations}.update},
		{"DELETE", "/api/organizations/{organization_id}/pipeline_transformations/{id}/", "plugin:write", permMember, 204, pluginFamily{pipelineTransformations}.delete},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/{id}/check_for_updates/", "", permMember, 0, pluginFamily{pipelineTransformations}.checkForUpdates},
		{"GET", "/api/organizations/{organization_id}/pipeline_transformations/{id}/source/", "", permMember, 0, pluginFamily{pipelineTransformations}.source},
		{"PATCH", "/api/organizations/{organization_id}/pipeline_transformations/{id}/update_source/", "", permMember, 0, pluginFamily{pipelineTransformations}.updateSource},
		{"POST", "/api/organizations/{organization_id}/pipeline_transformations/{id}/upgrade/", "", permMember, 0, pluginFamily{pipelineTransformations}.upgrade},
		{"GET", "/api/organizations/{organization_id}/plugins/", "plugin:read", permMember, 0, pluginFamily{pluginsAll}.list},
		{"POST", "/api/organizations/{organization_id}/plugins/", "plugin:write", permMember, 201, pluginFamily{pluginsAll}.create},
		{"GET", "/api/organizations/{organization_id}/plugins/activity/", "", permMember, 0, pluginFamily{pluginsAll}.activity},
		{"GET", "/api/organizations/{organization_id}/plugins/exports_unsubscribe_configs/", "", permMember, 0, pluginFamily{pluginsAll}.exportsUnsubscribeConfigs},
		{"GET", "/api/organizations/{organization_id}/plugins/repository/", "", permMember, 0, pluginFamily{pluginsAll}.repository},
		{"GET", "/api/organizations/{organization_id}/plugins/unused/", "", permMember, 0, pluginFamily{pluginsAll}.unused},
		{"GET", "/api/organizations/{organization_id}/plugins/{id}/", "plugin:read", permMember, 0, pluginFamily{pluginsAll}.get},
		{"PATCH", "/api/organizations/{organization_id}/plugins/{id}/", "plugin:write", permMember, 0, pluginFamily{pluginsAll}.update},
		{"DELETE", "/api/organizations/{organization_id}/plugins/{id}/", "plugin:write", permMember, 204, pluginFamily{pluginsAll}.delete},
		{"GET", "/api/organizations/{organization_id}/plugins/{id}/check_for_updates/", "", permMember, 0, pluginFamily{pluginsAll}.checkForUpdates},
		{"GET", "/api/organizations/{organization_id}/plugins/{id}/source/", "", permMember, 0, pluginFamily{pluginsAll}.source},
		{"PATCH", "/api/organizations/{organization_id}/plugins/{id}/update_source/", "", permMember, 0, pluginFamily{pluginsAll}.updateSource},
		{"POST", "/api/organizations/{organization_id}/plugins/{id}/upgrade/", "", permMember, 0, pluginFamily{pluginsAll}.upgrade},
		{"GET", "/api/organizations/{organization_id}/projects/", "project:read", permMember, 0, s.listProjects},
		{"POST", "/api/organizations/{organization_id}/projects/", "project:write", permMember, 201, s.createProject},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/", "project:read", permMember, 0, s.getProject},
		{"PUT", "/api/organizations/{organization_id}/projects/{id}/", "project:write", permMember, 0, s.updateProject},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/", "project:write", permMember, 0, s.updateProject},
		{"DELETE", "/api/organizations/{organization_id}/projects/{id}/", "project:write", permMember, 204, s.deleteProject},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/activity/", "", permMember, 0, s.projectActivity},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/add_product_intent/", "project:read", permMember, 0, s.projectAddProductIntent},
		{"POST", "/api/organizations/{organization_id}/projects/{id}/change_organization/", "", permMember, 0, s.projectChangeOrganization},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/complete_product_onboarding/", "project:read", permMember, 0, s.projectCompleteProductOnboarding},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/delete_secret_token_backup/", "", permMember, 0, s.projectDeleteSecretTokenBackup},
		{"POST", "/api/organizations/{organization_id}/projects/{id}/generate_conversations_public_token/", "", permMember, 0, s.projectGenerateConversationsPublicToken},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/is_generating_demo_data/", "", permMember, 0, s.projectIsGeneratingDemoData},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/reset_token/", "", permMember, 0, s.projectResetToken},
		{"PATCH", "/api/organizations/{organization_id}/projects/{id}/rotate_secret_token/", "", permMember, 0, s.projectRotateSecretToken},
		{"GET", "/api/organizations/{organization_id}/proxy_records/", "organization:read", permAdminWrite, 0, s.listProxyRecords},
		{"POST", "/api/organizations/{organization_id}/proxy_records/", "organization:write", permAdminWrite, 201, s.createProxyRecord},
		{"GET", "/api/organizations/{organization_id}/proxy_records/{id}/", "organization:read", permAdminWrite, 0, s.getProxyRecord},
		{"PUT", "/api/organizations/{organization_id}/proxy_records/{id}/", "organization:write", permAdminWrite, 0, s.updateProxyRecord},
		{"PATCH", "/api/organizations/{organization_id}/proxy_records/{id}/", "organization:write", permAdminWrite, 0, s.updateProxyRecord},
		{"DELETE", "/api/organizations/{organization_id}/proxy_records/{id}/", "organization:write", permAdminWrite, 200, s.deleteProxyRecord},
		{"POST", "/api/organizations/{organization_id}/proxy_records/{id}/diagnose/", "", permAdminWrite, 0, s.proxyRecordDiagnose},
		{"POST", "/api/organizations/{organization_id}/proxy_records/{id}/retry/", "", permAdminWrite, 0, s.proxyRecordRetry},
		{"GET", "/api/organizations/{organization_id}/role_external_references/", "organization:read", permAdminWrite, 0, s.listRoleExternalReferences},
		{"POST", "/api/organizations/{organization_id}/role_external_references/", "organization:write", permAdminWrite, 201, s.createRoleExternalReference},
		{"GET", "/api/organizations/{organization_id}/role_external_references/lookup/", "", permAdminWrite, 0, s.roleExternalReferenceLookup},
		{"DELETE", "/api/organizations/{organization_id}/role_external_references/{id}/", "organization:write", permAdminWrite, 204, s.deleteRoleExternalReference},
		{"GET", "/api/organizations/{organization_id}/roles/", "organization:read", permAdminWrite, 0, s.listRoles},
		{"POST", "/api/organizations/{organization_id}/roles/", "organization:write", permAdminWrite, 201, s.createRole},
		{"GET", "/api/organizations/{organization_id}/roles/{id}/", "organization:read", permAdminWrite, 0, s.getRole},
		{"PUT", "/api/organizations/{organization_id}/roles/{id}/", "organization:write", permAdminWrite, 0, s.updateRole},
		{"PATCH", "/api/organizations/{organization_id}/roles/{id}/", "organization:write", permAdminWrite, 0, s.updateRole},
		{"DELETE", "/api/organizations/{organization_id}/roles/{id}/", "organization:write", permAdminWrite, 204, s.deleteRole},
		{"GET", "/api/organizations/{organization_id}/roles/{role_id}/role_memberships/", "organization:read", permAdminWrite, 0, s.listRoleMemberships},
		{"POST", "/api/organizations/{organization_id}/roles/{role_id}/role_memberships/", "organization:write", permAdminWrite, 201, s.createRoleMembership},
		{"GET", "/api/organizations/{organization_id}/roles/{role_id}/role_memberships/{id}/", "organization:read", permAdminWrite, 0, s.getRoleMembership},
		{"DELETE", "/api/organizations/{organization_id}/roles/{role_id}/role_memberships/{id}/", "organization:write", permAdminWrite, 204, s.deleteRoleMembership},
		{"GET", "/api/organizations/{organization_id}/welcome/current/", "", permMember, 0, s.welcomeCurrent},
	}
}

// companions are the operations beyond the 159 that PostHog's own clients call: outside
// /api/organizations/, who the caller is and which key it holds, and the projects by id;
// inside it, the newer access control settings reads of a project. They run through the same pipeline (router.go, auth.go); docs/endpoints.md
// lists them in a section of their own.
func companions(s *Server) []route {
	return []route{
		{"GET", "/api/users/{uuid}/", "user:read", permSelf, 0, s.getUser},
		{"PATCH", "/api/users/{uuid}/", "user:write", permSelf, 0, s.updateUser},
		{"GET", "/api/personal_api_keys/", "", permKeySelf, 0, s.listPersonalAPIKeys},
		{"POST", "/api/personal_api_keys/", "", permKeySelf, 201, s.createPersonalAPIKey},
		{"GET", "/api/personal_api_keys/{id}/", "", permKeySelf, 0, s.getPersonalAPIKey},
		{"PUT", "/api/personal_api_keys/{id}/", "", permKeySelf, 0, s.updatePersonalAPIKey},
		{"PATCH", "/api/personal_api_keys/{id}/", "", permKeySelf, 0, s.updatePersonalAPIKey},
		{"DELETE", "/api/personal_api_keys/{id}/", "", permKeySelf, 204, s.deletePersonalAPIKey},
		{"POST", "/api/personal_api_keys/{id}/roll/", "", permKeySelf, 0, s.rollPersonalAPIKey},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_defaults/", "access_control:read", permMember, 0, s.accessControlDefaults},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_members/", "access_control:read", permMember, 0, s.accessControlMembers},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_roles/", "access_control:read", permMember, 0, s.accessControlRoles},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_default_objects/", "access_control:read", permMember, 0, s.accessControlDefaultRules},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_default_properties/", "access_control:read", permMember, 0, s.accessControlDefaultRules},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_member_objects/", "access_control:read", permMember, 0, s.accessControlMemberRules},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_member_properties/", "access_control:read", permMember, 0, s.accessControlMemberRules},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_role_objects/", "access_control:read", permMember, 0, s.accessControlRoleRules},
		{"GET", "/api/organizations/{organization_id}/projects/{id}/access_control_role_properties/", "access_control:read", permMember, 0, s.accessControlRoleRules},
		// Full updates of plugins and the pipeline families (PostHog's ModelViewSet serves PUT too).
		{"PUT", "/api/organizations/{organization_id}/pipeline_destinations/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineDestinations}.update},
		{"PUT", "/api/organizations/{organization_id}/pipeline_frontend_apps/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineFrontendApps}.update},
		{"PUT", "/api/organizations/{organization_id}/pipeline_import_apps/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineImportApps}.update},
		{"PUT", "/api/organizations/{organization_id}/pipeline_transformations/{id}/", "plugin:write", permMember, 0, pluginFamily{pipelineTransformations}.update},
		{"PUT", "/api/organizations/{organization_id}/plugins/{id}/", "plugin:write", permMember, 0, pluginFamily{pluginsAll}.update},
	}
}

// rootProjectRoutes are PostHog's root project and environment viewsets (ProjectViewSet at
// /api/projects/, TeamViewSet at /api/environments/): the collections in the caller's current
// organization, and each project by id with its actions and access control settings, on the
// same records as the organization's projects/ routes.
func rootProjectRoutes(s *Server) []route {
	rows := []route{
		{"GET", "/api/projects/", "project:read", permCurrentOrg, 0, s.listProjects},
		{"POST", "/api/projects/", "project:write", permCurrentOrg, 201, s.createProject},
		{"GET", "/api/environments/", "project:read", permCurrentOrg, 0, s.listProjects},
	}
	for _, root := range []string{"/api/projects/{id}/", "/api/environments/{id}/"} {
		get, update := s.getProject, s.updateProject
		if root == "/api/environments/{id}/" {
			get, update = s.getEnvironment, s.updateEnvironment
		}
		rows = append(rows,
			route{"GET", root, "project:read", permProject, 0, get},
			route{"PUT", root, "project:write", permProject, 0, update},
			route{"PATCH", root, "project:write", permProject, 0, update},
			route{"DELETE", root, "project:write", permProject, 204, s.deleteProject},
			route{"GET", root + "activity/", "", permProject, 0, s.projectActivity},
			route{"PATCH", root + "add_product_intent/", "project:read", permProject, 0, s.projectAddProductIntent},
			route{"PATCH", root + "complete_product_onboarding/", "project:read", permProject, 0, s.projectCompleteProductOnboarding},
			route{"PATCH", root + "delete_secret_token_backup/", "", permProject, 0, s.projectDeleteSecretTokenBackup},
			route{"POST", root + "generate_conversations_public_token/", "", permProject, 0, s.projectGenerateConversationsPublicToken},
			route{"GET", root + "is_generating_demo_data/", "", permProject, 0, s.projectIsGeneratingDemoData},
			route{"PATCH", root + "reset_token/", "", permProject, 0, s.projectResetToken},
			route{"PATCH", root + "rotate_secret_token/", "", permProject, 0, s.projectRotateSecretToken},
		)
		if root == "/api/projects/{id}/" {
			rows = append(rows, route{"POST", root + "change_organization/", "", permProject, 0, s.projectChangeOrganization})
		}
		for _, rt := range []struct {
			action string
			h      func(c *call) (any, error)
		}{
			{"defaults", s.accessControlDefaults}, {"members", s.accessControlMembers}, {"roles", s.accessControlRoles},
			{"default_objects", s.accessControlDefaultRules}, {"default_properties", s.accessControlDefaultRules},
			{"member_objects", s.accessControlMemberRules}, {"member_properties", s.accessControlMemberRules},
			{"role_objects", s.accessControlRoleRules}, {"role_properties", s.accessControlRoleRules},
		} {
			rows = append(rows, route{"GET", root + "access_control_" + rt.action + "/", "access_control:read", permProject, 0, rt.h})
		}
	}
	return append(rows, accessControlRoutes(s)...)
}
