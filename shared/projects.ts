import { z } from 'zod';
import { displayName, entityId, withoutControlCharacters } from './connections.ts';

const projectName = displayName;
const externalId = z.string().trim().min(1).max(200).regex(withoutControlCharacters, 'Not an id');

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
