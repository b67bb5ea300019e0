import { z } from 'zod';
import { entityId } from './connections.ts';

const projectName = z.string().trim().min(1, 'Enter a name').max(100, 'At most 100 characters');
const externalId = z.string().trim().min(1).max(200);

export const createProjectInput = z.object({ name: projectName, externalId: externalId.optional() });
export const updateProjectInput = z.object({ id: entityId, name: projectName.optional(), externalId: externalId.nullable().optional() });
export const projectIdInput = z.object({ id: entityId });

export interface ProjectDto {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}
