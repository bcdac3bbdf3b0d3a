import { Body, Param } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AuditContext, IdempotencyRequest, createFormBody, CreateFormBody, Form, FormsRpc, ROUTES, updateFormBody, UpdateFormBody } from '@widget/contracts';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { Access, Audit } from '../auth/access';

const formParam = new IdParam('form');

@AdminController()
export class AdminFormsController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.createForm)
  @Access.inWorkspace('admin')
  create(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @Body(new ZodPipe(createFormBody)) body: CreateFormBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<Form> {
    return this.bus.send(FormsRpc.adminCreate, { workspaceId, body, audit, idempotency });
  }

  @Route(ROUTES.admin.getForm)
  @Access.onResource('agent', 'form')
  get(@Param('id', formParam) formId: string): Promise<Form> {
    return this.bus.send(FormsRpc.adminGet, { formId });
  }

  @Route(ROUTES.admin.patchForm)
  @Access.onResource('admin', 'form')
  update(@Param('id', formParam) formId: string, @Body(new ZodPipe(updateFormBody)) patch: UpdateFormBody, @Audit() audit: AuditContext): Promise<Form> {
    return this.bus.send(FormsRpc.adminUpdate, { formId, patch, audit });
  }
}
