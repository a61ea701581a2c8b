import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const RESULT_VIEWS = ['lambda', 'kappa', 'speed', 'batch'] as const;
export type ResultView = (typeof RESULT_VIEWS)[number];

export class ResultsQuery {
  @ApiPropertyOptional({ enum: RESULT_VIEWS, default: 'kappa' })
  @IsOptional()
  @IsIn(RESULT_VIEWS)
  view?: ResultView;

  @ApiPropertyOptional({ description: 'one key' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  key?: string;

  @ApiPropertyOptional({ description: 'windows starting at or after (epoch ms)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-8.64e15)
  @Max(8.64e15)
  from?: number;

  @ApiPropertyOptional({ description: 'windows ending at or before (epoch ms)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-8.64e15)
  @Max(8.64e15)
  to?: number;

  @ApiPropertyOptional({ description: 'view=speed: the version (default: the serving one)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version?: number;

  @ApiPropertyOptional({
    description: 'view=batch: the run (default: the latest completed from the earliest offset)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  run?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit?: number;
}

export class PipelineNameParam {
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,200}$/, { message: 'expected a pipeline name' })
  name!: string;
}
