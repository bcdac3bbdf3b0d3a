import { Body, Param, Query, Req, Res } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AuditContext, ErasureView, PersonSelector, personSelector, ROUTES, SessionRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Access, AdminRequest, Audit } from '../auth/access';
import { IdParam } from '../http/id-param.pipe';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { exportDocument } from './export-document';

const workspaceParam = new IdParam('workspace');

/** SPEC §17: erase and export one person of a workspace (owners and admins). */
@AdminController()
export class PrivacyController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.requestErasure)
  @Access.inWorkspace('admin')
  async erase(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(personSelector)) selector: PersonSelector,
    @Audit() audit: AuditContext,
  ): Promise<{ erasure: ErasureView }> {
    return { erasure: await this.bus.send(SessionRpc.requestErasure, { workspaceId, selector, audit }) };
  }

  @Route(ROUTES.admin.getErasure)
  @Access.inWorkspace('admin')
  async erasure(@Param('ws', workspaceParam) workspaceId: string, @Param('id', new IdParam('erasure')) erasureId: string): Promise<{ erasure: ErasureView }> {
    return { erasure: await this.bus.send(SessionRpc.getErasure, { workspaceId, erasureId }) };
  }

  /** One JSON document, streamed; the person is resolved first, so an unknown one is a plain 404 envelope. */
  @Route(ROUTES.admin.exportVisitor)
  @Access.inWorkspace('admin')
  async export(
    @Param('ws', workspaceParam) workspaceId: string,
    @Query(new ZodPipe(personSelector)) selector: PersonSelector,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    const requestId = String(request.id);
    const person = await this.bus.send(SessionRpc.resolvePerson, { workspaceId, selector }, { requestId });
    void reply.header('content-type', 'application/json; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="export-${workspaceId}.json"`);
    return Readable.from(exportDocument(this.bus, person, requestId));
  }
}
